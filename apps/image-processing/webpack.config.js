module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/image-processing', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
