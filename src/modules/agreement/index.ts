export * from './agreement.schemas.js';
export { computeAgreement, checkLevel, type AgreementDeps } from './agreement.service.js';
export { computeConsensus } from './consensus.service.js';
