// generatePackageJson: the build writes the package.json and lock file of what this bundle requires,
// which its container image installs (apps/face-analyzer/Dockerfile).
module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/face-analyzer', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
  generatePackageJson: true,
});
