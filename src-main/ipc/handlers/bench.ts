/** The examiner's bench over core/bench (one repository per call: it holds no state of its own). */
import { BenchRepository } from '../../core/bench/repository.ts';
import type { benchMethods } from '../methods/bench.ts';
import type { HandlersFor, Services } from './types.ts';

export function benchHandlers(s: Services): HandlersFor<typeof benchMethods> {
  const bench = () => new BenchRepository(s.app.store);
  return {
    'bench.autoAlign': (a) => bench().autoAlign(a),
    'bench.alignments.create': (a) => bench().createAlignment(a),
    'bench.alignments.list': (a) => bench().listAlignments(a),
    'bench.alignments.delete': (a) => bench().deleteAlignment(a),
    'bench.measurements.create': (a) => bench().createMeasurement(a),
    'bench.measurements.list': (a) => bench().listMeasurements(a),
    'bench.measurements.delete': (a) => bench().deleteMeasurement(a),
    'bench.annotations.create': (a) => bench().createAnnotation(a),
    'bench.annotations.list': (a) => bench().listAnnotations(a),
    'bench.annotations.delete': (a) => bench().deleteAnnotation(a),
  };
}
