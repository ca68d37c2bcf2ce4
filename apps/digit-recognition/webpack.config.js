// generatePackageJson: the build writes the package.json and lock file of what this bundle requires,
// which its container image installs (apps/digit-recognition/Dockerfile).
module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/digit-recognition', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
  generatePackageJson: true,
});
