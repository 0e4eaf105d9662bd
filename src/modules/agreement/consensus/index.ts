export { majorityVote, type MajorityResult } from './majority.js';
export { dawidSkene, type DawidSkeneOptions, type DawidSkeneResult } from './dawid-skene.js';
export { voteCounts, validateObservations, type Observations } from './types.js';
