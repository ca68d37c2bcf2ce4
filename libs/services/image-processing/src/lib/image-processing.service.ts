import { Inject, Injectable } from '@nestjs/common';
import { Sharp } from 'sharp';
import { Artifact, BinaryArtifact, ErrorCode, MarketplaceError } from '@aim/contracts';
import { carriesMetadata, ImageFormat, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { IMAGE_PROCESSING_DESCRIPTOR } from './image-processing.descriptor';
import { IMAGE_PROCESSING_OPTIONS } from './image-processing.constants';
import { blurRegions, boxesOverlay, clipRegion, decode, DecodedImage, encode, LabelledBox, Region } from './image-operations';

export interface ImageProcessingOptions {
  /** Images with more pixels are refused with IMAGE_TOO_LARGE. */
  maxInputPixels: number;
}

/** What an operation answers when it would not change a pixel (a resize of an image that already fits). */
const UNCHANGED = Symbol('unchanged');

type Operation = (image: DecodedImage, params: Record<string, unknown>) => Promise<Sharp | typeof UNCHANGED> | Sharp | typeof UNCHANGED;

@Injectable()
export class ImageProcessingService extends TaskService {
  readonly descriptor = IMAGE_PROCESSING_DESCRIPTOR;
  readonly handlers: Record<string, TaskHandler>;

  constructor(@Inject(IMAGE_PROCESSING_OPTIONS) private readonly options: ImageProcessingOptions) {
    super();
    const operations: Record<string, Operation> = {
      blur: (image, p) => {
        const regions = p['regions'] as Region[] | undefined;
        return regions ? blurRegions(image, regions, p['sigma'] as number, p['padding'] as number) : image.pipeline.blur(p['sigma'] as number);
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
      resize: (image, p) => {
        const [width, height] = [p['width'] as number | undefined, p['height'] as number | undefined];
        const enlarge = p['enlarge'] === true;
        // Without enlarging, an image inside the box stays as it is ('contain' alone pads it out to the box).
        const fits = (width === undefined || image.width <= width) && (height === undefined || image.height <= height);
        if (fits && !enlarge && p['fit'] !== 'contain') return UNCHANGED;
        // The most pixels the result can have (fit 'outside' may exceed the box; 'cover'/'fill' fill it).
        const scale = Math.max(width ? width / image.width : 0, height ? height / image.height : 0);
        const bound = enlarge ? Math.max((width ?? 0) * (height ?? 0), image.width * image.height * scale * scale) : image.width * image.height;
        this.checkOutputPixels(bound, 'resize');
        return image.pipeline.resize({ width, height, fit: p['fit'] as 'cover', withoutEnlargement: !enlarge });
      },
      rotate: (image, p) => {
        const angle = ((p['angle'] as number) * Math.PI) / 180;
        const [cos, sin] = [Math.abs(Math.cos(angle)), Math.abs(Math.sin(angle))];
        this.checkOutputPixels((image.width * cos + image.height * sin) * (image.width * sin + image.height * cos), 'rotate');
        return image.pipeline.rotate(p['angle'] as number, { background: p['background'] as string });
      },
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

  /** Outputs are held to the same pixel limit as inputs: a small upload must not make a huge image. */
  private checkOutputPixels(pixels: number, task: string): void {
    if (pixels <= this.options.maxInputPixels) return;
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `${task} would make an image of about ${Math.round(pixels)} pixels, over the limit of ${this.options.maxInputPixels}; ask for a smaller size`,
    );
  }

  private async apply(operation: Operation, call: TaskCall): Promise<Record<string, Artifact>> {
    const input = call.inputs['image'] as BinaryArtifact;
    const image = await decode(input.data, this.options.maxInputPixels);
    const format = (call.params['format'] as ImageFormat | undefined) ?? image.format;
    const quality = call.params['quality'] as number | undefined;
    const operated = await operation(image, call.params);
    if (operated === UNCHANGED && format === image.format && quality === undefined && image.orientation === 1 && !carriesMetadata(input.data, format)) {
      // Encoding again would only cost time and quality: the result is the very bytes (and the engine keeps one file).
      return { image: { contentType: `image/${format}`, data: input.data } };
    }
    let result = operated === UNCHANGED ? image.pipeline : operated;
    // Compositing (blurred regions, boxes) adds an alpha channel; an opaque image stays opaque.
    if (!image.hasAlpha) result = result.removeAlpha();
    const data = await encode(result, format, quality);
    return { image: { contentType: `image/${format}`, data } };
  }
}
