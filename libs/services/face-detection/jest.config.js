module.exports = {
  displayName: 'face-detection',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/services/face-detection',
};
