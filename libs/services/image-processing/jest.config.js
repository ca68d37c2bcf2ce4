module.exports = {
  displayName: 'image-processing',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/services/image-processing',
};
