module.exports = {
  displayName: 'train-digits',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/tools/train-digits',
};
