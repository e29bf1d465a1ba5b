export const coreVersion: string = '0.1.0';
