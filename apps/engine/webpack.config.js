// generatePackageJson: the build writes the package.json and lock file of what this bundle requires,
// which its container image installs (apps/engine/Dockerfile).
module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/engine', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
  generatePackageJson: true,
});
