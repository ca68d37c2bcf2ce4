module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/engine', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
