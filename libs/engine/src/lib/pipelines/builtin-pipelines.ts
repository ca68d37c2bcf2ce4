import { IMAGE_CONTENT_TYPES, PipelineDefinition } from '@aim/contracts';

const image = { contentTypes: [...IMAGE_CONTENT_TYPES], description: 'a JPEG, PNG or WebP photo' };

const FACE_LABELS =
  '$map(analyse.face[box], function($f, $i) { $merge([$f.box, {"label": $string($i + 1) & ". " & $f.gender.label & ", " & $string($floor($f.age + 0.5)) & ", " & $f.emotion.label & ", " & $f.race.label}]) })';

/** Seeded at every start; read-only through the API. */
export const BUILTIN_PIPELINES: PipelineDefinition[] = [
  {
    id: 'anonymise-faces',
    name: 'Anonymise faces',
    description: 'Finds every face and blurs it; the rest of the photo stays as it was.',
    tags: ['faces', 'privacy'],
    inputs: { image },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        strength: { type: 'number', minimum: 1, maximum: 200, default: 25, description: 'blur sigma' },
        // Lower than the detector's own default: blurring a patch of wall costs little, a sharp face is a leak.
        minScore: { type: 'number', minimum: 0.4, maximum: 1, default: 0.6, description: 'faces scored lower are left as they are' },
        minFaceSize: { type: 'integer', minimum: 16, maximum: 1000, default: 24, description: 'smallest face width looked for (px); smaller is slower' },
      },
    },
    steps: [
      {
        id: 'detect',
        service: 'face-detection',
        task: 'detect',
        inputs: { image: 'inputs.image' },
        params: { maxFaces: 1000 },
        bind: { minScore: 'params.minScore', minFaceSize: 'params.minFaceSize' },
      },
      {
        id: 'blur',
        service: 'image-processing',
        task: 'blur',
        inputs: { image: 'inputs.image' },
        // A face box runs from brows to chin: grown by a third on each side, forehead, hair and ears go too.
        params: { padding: 0.33 },
        bind: { regions: 'detect.faces.box', sigma: 'params.strength' },
      },
    ],
    outputs: { image: 'blur.image', faces: 'detect.faces' },
  },
  {
    id: 'analyse-faces',
    name: 'Analyse faces',
    description: 'Finds every face, crops each, tells its age, gender, emotion and race, and labels the photo.',
    tags: ['faces', 'analysis'],
    inputs: { image },
    steps: [
      { id: 'detect', service: 'face-detection', task: 'detect', inputs: { image: 'inputs.image' } },
      { id: 'crop', service: 'image-processing', task: 'crop', inputs: { image: 'inputs.image' }, forEach: 'detect.faces', bind: { region: 'item.box' } },
      {
        id: 'analyse',
        service: 'face-analyzer',
        task: 'analyse',
        inputs: { image: 'crop.image' },
        forEach: 'detect.faces',
        params: { input: 'face' },
        bind: { offset: '{"x": item.box.x, "y": item.box.y}' },
      },
      { id: 'annotate', service: 'image-processing', task: 'annotate', inputs: { image: 'inputs.image' }, bind: { boxes: FACE_LABELS } },
    ],
    outputs: { image: 'annotate.image', report: 'analyse.face' },
  },
  {
    id: 'read-digit',
    name: 'Read a digit',
    description: 'Reads one handwritten digit: the digit, its confidence and the ten probabilities.',
    tags: ['digits'],
    inputs: { image },
    steps: [{ id: 'read', service: 'digit-recognition', task: 'read', inputs: { image: 'inputs.image' } }],
    outputs: { digit: 'read.digit' },
  },
  {
    id: 'thumbnail',
    name: 'Make a thumbnail',
    description: 'Scales the image down to fit the requested width (and height, when given), keeping its format.',
    tags: ['image'],
    inputs: { image },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        width: { type: 'integer', minimum: 1, maximum: 4096, default: 256 },
        height: { type: 'integer', minimum: 1, maximum: 4096 },
      },
    },
    steps: [
      {
        id: 'resize',
        service: 'image-processing',
        task: 'resize',
        inputs: { image: 'inputs.image' },
        params: { fit: 'inside' },
        bind: { width: 'params.width', height: 'params.height' },
      },
    ],
    outputs: { thumbnail: 'resize.image' },
  },
  {
    id: 'web-image',
    name: 'Prepare for the web',
    description: 'Scales down to at most 1600 px wide, then converts to WebP.',
    tags: ['image'],
    inputs: { image },
    steps: [
      { id: 'resize', service: 'image-processing', task: 'resize', inputs: { image: 'inputs.image' }, params: { width: 1600, fit: 'inside' } },
      { id: 'convert', service: 'image-processing', task: 'convert', inputs: { image: 'resize.image' }, params: { format: 'webp', quality: 80 } },
    ],
    outputs: { image: 'convert.image' },
  },
];
