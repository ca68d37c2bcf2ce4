const { getJestProjectsAsync } = require('@nx/jest');

// Plain JavaScript, so neither Nx nor Jest has to compile it (Nx warned "Falling back to ts-node" for each).
module.exports = async () => ({
  projects: await getJestProjectsAsync(),
});
