module.exports = {
  displayName: 'marketplace',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/marketplace',
};
