const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

/** The webpack config of a Node app of this workspace: one bundle, dependencies left in node_modules. */
module.exports = function nodeAppConfig(outputPath, extra = {}) {
  return {
    output: { path: join(__dirname, '../..', outputPath) },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        externalDependencies: 'all',
        ...extra,
      }),
    ],
  };
};
