import * as tf from '@tensorflow/tfjs';

type KernelFunc = (args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => tf.TensorInfo;

/**
 * The wasm backend has no Conv2DBackpropFilter kernel, so training a CNN on it fails. This one builds
 * the filter gradient from the backend's own kernels (stride 1, NHWC, no dilation):
 * dW[kh, kw, ci, co] = Σ_b,y,x X[b, y+kh, x+kw, ci] · dY[b, y, x, co], i.e. a valid convolution of
 * the padded input (batch and channels swapped) with dY as the filter.
 */
export function registerWasmConvFilterGradient(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const kernel = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc as unknown as KernelFunc;
  const transpose = kernel('Transpose');
  const pad = kernel('PadV2');
  const conv2d = kernel('Conv2D');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad: padding, dataFormat, filterShape } = attrs as { strides: number | number[]; pad: string | number; dataFormat: string; filterShape: number[] };
      const stride = Array.isArray(strides) ? strides : [strides, strides];
      if (stride[0] !== 1 || stride[1] !== 1 || dataFormat !== 'NHWC') {
        throw new Error('this Conv2DBackpropFilter supports stride 1 and NHWC only');
      }
      const [kh, kw] = filterShape;
      const padAmount = (k: number) => (padding === 'same' ? [Math.floor((k - 1) / 2), k - 1 - Math.floor((k - 1) / 2)] : typeof padding === 'number' ? [padding, padding] : [0, 0]);
      const free = (info: tf.TensorInfo) => (backend as { disposeData(id: object): void }).disposeData(info.dataId);
      const padded = pad({ inputs: { x }, backend, attrs: { paddings: [[0, 0], padAmount(kh), padAmount(kw), [0, 0]], constantValue: 0 } });
      const xT = transpose({ inputs: { x: padded }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const product = conv2d({ inputs: { x: xT, filter: dyT }, backend, attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } });
      const result = transpose({ inputs: { x: product }, backend, attrs: { perm: [1, 2, 0, 3] } });
      [padded, xT, dyT, product].forEach(free);
      return result;
    }) as unknown as tf.KernelFunc,
  });
}
