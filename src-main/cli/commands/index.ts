import type { Command } from '../command.ts';
import { commands as audit } from './audit.ts';
import { commands as backup } from './backup.ts';
import { commands as bench } from './bench.ts';
import { commands as caseCommands } from './case.ts';
import { commands as demo } from './demo.ts';
import { commands as doctor } from './doctor.ts';
import { commands as evalCommands } from './eval.ts';
import { commands as identify } from './identify.ts';
import { commands as importCommands } from './import.ts';
import { commands as library } from './library.ts';
import { commands as models } from './models.ts';
import { commands as prepare } from './prepare.ts';
import { commands as report } from './report.ts';
import { commands as series } from './series.ts';
import { commands as serve } from './serve.ts';
import { commands as synth } from './synth.ts';
import { commands as train } from './train.ts';
import { commands as verify } from './verify.ts';

/** Every `countersign` command, in the order `--help` lists them. */
export const allCommands: Command[] = [
  ...doctor,
  ...demo,
  ...caseCommands,
  ...importCommands,
  ...verify,
  ...series,
  ...report,
  ...identify,
  ...library,
  ...prepare,
  ...train,
  ...evalCommands,
  ...models,
  ...synth,
  ...audit,
  ...backup,
  ...serve,
  ...bench,
];
