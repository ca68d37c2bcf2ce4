// generatePackageJson: the build writes the package.json and lock file of what this bundle requires,
// which its container image installs (apps/face-detection/Dockerfile).
module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/face-detection', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
  generatePackageJson: true,
});
