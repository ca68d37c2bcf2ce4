import 'reflect-metadata';
import { hostDigitRecognition } from '@aim/digit-recognition';
import { runServiceProcess } from '@aim/service-process';

/** The digit-recognition service as a process of its own (the split shape), also usable alone over HTTP. */
runServiceProcess('digit-recognition', hostDigitRecognition);
