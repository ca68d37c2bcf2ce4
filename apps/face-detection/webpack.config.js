module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/face-detection', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
