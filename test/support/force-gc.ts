import v8 from 'node:v8';
import vm from 'node:vm';

// A full garbage collection now. `node --test` runs without --expose-gc; the flag can still be
// set at run time, and a new context then has `gc`.
v8.setFlagsFromString('--expose-gc');
export const forceGc = (globalThis.gc ?? vm.runInNewContext('gc')) as () => void;
