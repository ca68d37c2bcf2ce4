import 'reflect-metadata';
import { hostFaceAnalyzer } from '@aim/face-analyzer';
import { runServiceProcess } from '@aim/service-process';

/** The face-analyzer service as a process of its own (the split shape), also usable alone over HTTP. */
runServiceProcess('face-analyzer', hostFaceAnalyzer);
