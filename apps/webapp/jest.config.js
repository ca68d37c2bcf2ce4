// The webapp's logic that needs no browser (reference completion, result summaries, JSON line mapping);
// its pages are tested in a real browser by apps/marketplace/test/webapp.e2e.spec.ts.
module.exports = {
  displayName: 'webapp',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/webapp',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
