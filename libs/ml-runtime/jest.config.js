module.exports = {
  displayName: 'ml-runtime',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/ml-runtime',
};
