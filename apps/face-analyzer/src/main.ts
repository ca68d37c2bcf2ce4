import 'reflect-metadata';
import { runServiceProcess } from '@aim/app-wiring';

/** The face-analyzer service as a process of its own (the split shape), also usable alone over HTTP. */
runServiceProcess('face-analyzer');
