export * from './app';
export * from './fixtures';
export * from './template';
