import type { Command } from '../command.ts';
import { evalCommand } from './models.ts';

export const commands: Command[] = [evalCommand];
