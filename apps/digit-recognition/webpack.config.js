module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/digit-recognition', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
