import { hostDigitRecognition } from '@aim/digit-recognition';
import { hostFaceAnalyzer } from '@aim/face-analyzer';
import { hostFaceDetection } from '@aim/face-detection';
import { hostImageProcessing } from '@aim/image-processing';
import { ServiceHosting } from '@aim/service-kit';

/** Every capability of the product, by the name it is announced under, and how a process hosts it. */
export const SERVICE_CATALOGUE = {
  'image-processing': hostImageProcessing,
  'face-detection': hostFaceDetection,
  'face-analyzer': hostFaceAnalyzer,
  'digit-recognition': hostDigitRecognition,
} as const satisfies Record<string, ServiceHosting>;

export type ServiceName = keyof typeof SERVICE_CATALOGUE;
export const SERVICE_NAMES = Object.keys(SERVICE_CATALOGUE) as ServiceName[];
