module.exports = {
  displayName: 'digit-recognition',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/services/digit-recognition',
};
