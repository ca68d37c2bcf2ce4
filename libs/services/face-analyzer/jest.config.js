module.exports = {
  displayName: 'face-analyzer',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/services/face-analyzer',
};
