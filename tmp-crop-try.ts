import sharp from 'sharp';
import { createHuman, initTensorflow, rgbTensor, tf, fileModelLoader } from '@aim/ml-runtime';
(async () => {
  const info = await initTensorflow('wasm');
  const human = await createHuman(info, { detector: { enabled: true, rotation: false, maxDetected: 20, minConfidence: 0.2, return: true }, description: { enabled: true }, emotion: { enabled: true } } as never);
  const gear = await tf.loadGraphModel(fileModelLoader('libs/services/face-analyzer/model/gear/gear.json'));
  console.log('gear inputs', gear.inputs.map((i) => i.name + JSON.stringify(i.shape)), 'outputs', gear.outputs.map((o) => o.name), (gear as any).signature?.outputs && Object.keys((gear as any).signature.outputs));
  const crops: [string, number[]][] = [['sample1.jpg', [405, 345, 240, 240]], ['sample2.jpg', [885, 210, 210, 240]], ['messi5.jpg', [212, 80, 50, 45]]];
  for (const [file, [x, y, w, h]] of crops) {
    for (const pad of [0, 0.25, 0.5]) {
      const left = Math.max(0, Math.round(x - w * pad)), top = Math.max(0, Math.round(y - h * pad));
      const meta = await sharp('/work/shared/data/faces/' + file).metadata();
      const width = Math.min(meta.width! - left, Math.round(w * (1 + 2 * pad))), height = Math.min(meta.height! - top, Math.round(h * (1 + 2 * pad)));
      const { data, info: i } = await sharp('/work/shared/data/faces/' + file).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const t = rgbTensor(data, i.width, i.height);
      const r = await human.detect(t);
      t.dispose();
      const f = r.face[0];
      let race = '';
      if (f?.tensor) {
        const ft = f.tensor as tf.Tensor;
        const stats = tf.tidy(() => [ft.shape, ft.min().dataSync()[0], ft.max().dataSync()[0]]);
        const out = tf.tidy(() => {
          const resized = tf.image.cropAndResize((ft.rank === 3 ? ft.expandDims(0) : ft) as tf.Tensor4D, [[0, 0.1, 0.9, 0.9]], [0], [198, 198]);
          const res = gear.execute(resized) as tf.Tensor[];
          return res.map((x) => Array.from(x.dataSync()).map((v) => v.toFixed(2)).join(','));
        });
        race = JSON.stringify(stats) + ' ' + out.join(' | ');
      }
      r.face.forEach((ff) => (ff.tensor as tf.Tensor | undefined)?.dispose());
      console.log(file, 'pad', pad, i.width + 'x' + i.height, 'faces', r.face.length, f ? `age ${f.age} ${f.gender} ${f.genderScore} ${f.emotion?.[0]?.emotion}` : '', race);
    }
  }
  console.log('tensors', tf.memory().numTensors);
})();
