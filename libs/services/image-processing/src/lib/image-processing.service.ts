import { Inject, Injectable } from '@nestjs/common';
import { Sharp } from 'sharp';
import { Artifact, BinaryArtifact, ErrorCode, MarketplaceError } from '@aim/contracts';
import { ImageFormat, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { IMAGE_PROCESSING_DESCRIPTOR } from './image-processing.descriptor';
import { IMAGE_PROCESSING_OPTIONS } from './image-processing.constants';
import { blurRegions, boxesOverlay, clipRegion, decode, DecodedImage, encode, LabelledBox, Region } from './image-operations';

export interface ImageProcessingOptions {
  /** Images with more pixels are refused with IMAGE_TOO_LARGE. */
  maxInputPixels: number;
}

type Operation = (image: DecodedImage, params: Record<string, unknown>) => Promise<Sharp> | Sharp;

@Injectable()
export class ImageProcessingService extends TaskService {
  readonly descriptor = IMAGE_PROCESSING_DESCRIPTOR;
  readonly handlers: Record<string, TaskHandler>;

  constructor(@Inject(IMAGE_PROCESSING_OPTIONS) private readonly options: ImageProcessingOptions) {
    super();
    const operations: Record<string, Operation> = {
      blur: (image, p) => {
        const regions = p['regions'] as Region[] | undefined;
        return regions ? blurRegions(image, regions, p['sigma'] as number) : image.pipeline.blur(p['sigma'] as number);
      },
      crop: (image, p) => {
        const region = clipRegion(p['region'] as Region, image.width, image.height, p['padding'] as number);
        if (!region) {
          throw new MarketplaceError(
            ErrorCode.InvalidParameters,
            `the crop region lies outside the ${image.width}x${image.height} image`,
            { problems: [{ path: 'params.region', message: 'must overlap the image' }] },
          );
        }
        return image.pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
      },
      resize: (image, p) =>
        image.pipeline.resize({
          width: p['width'] as number | undefined,
          height: p['height'] as number | undefined,
          fit: p['fit'] as 'cover',
        }),
      rotate: (image, p) => image.pipeline.rotate(p['angle'] as number, { background: p['background'] as string }),
      flip: (image, p) => {
        const direction = p['direction'];
        let pipeline = image.pipeline;
        if (direction !== 'horizontal') pipeline = pipeline.flip();
        if (direction !== 'vertical') pipeline = pipeline.flop();
        return pipeline;
      },
      greyscale: (image) => image.pipeline.greyscale(),
      adjust: (image, p) => {
        const contrast = p['contrast'] as number;
        return image.pipeline
          .modulate({ brightness: p['brightness'] as number })
          .linear(contrast, 128 * (1 - contrast));
      },
      convert: (image) => image.pipeline,
      annotate: (image, p) => {
        const boxes = p['boxes'] as LabelledBox[];
        const overlay = boxesOverlay(boxes, image.width, image.height, p['lineWidth'] as number);
        return image.pipeline.composite([{ input: overlay, left: 0, top: 0 }]);
      },
    };
    this.handlers = Object.fromEntries(
      Object.entries(operations).map(([name, operation]) => [name, (call: TaskCall) => this.apply(operation, call)]),
    );
  }

  private async apply(operation: Operation, call: TaskCall): Promise<Record<string, Artifact>> {
    const input = call.inputs['image'] as BinaryArtifact;
    const image = await decode(input.data, this.options.maxInputPixels);
    let result = await operation(image, call.params);
    // Compositing (blurred regions, boxes) adds an alpha channel; an opaque image stays opaque.
    if (!image.hasAlpha) result = result.removeAlpha();
    const format = (call.params['format'] as ImageFormat | undefined) ?? image.format;
    const data = await encode(result, format, call.params['quality'] as number | undefined);
    return { image: { contentType: `image/${format}`, data } };
  }
}
