module.exports = {
  displayName: 'engine-app',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/engine',
};
