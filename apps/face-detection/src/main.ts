import 'reflect-metadata';
import { hostFaceDetection } from '@aim/face-detection';
import { runServiceProcess } from '@aim/service-process';

/** The face-detection service as a process of its own (the split shape), also usable alone over HTTP. */
runServiceProcess('face-detection', hostFaceDetection);
