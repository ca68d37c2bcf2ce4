import 'reflect-metadata';
import { hostImageProcessing } from '@aim/image-processing';
import { runServiceProcess } from '@aim/service-process';

/** The image-processing service as a process of its own (the split shape), also usable alone over HTTP. */
runServiceProcess('image-processing', hostImageProcessing);
