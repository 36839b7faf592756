/** Local APNs and FCM simulators, their throw-away CA and the demo credentials. */
export { startApnsSimulator } from './apns';
export type { ApnsSimulator, ApnsSimulatorOptions } from './apns';
export type { ProviderKey } from './apns-auth';
export { startFcmSimulator } from './fcm';
export type { FcmSimulator, FcmSimulatorOptions } from './fcm';
export type { SimulatedServiceAccount } from './fcm-oauth';
export type { Simulator, SimulatorLog } from './core';
export type { Faults } from './faults';
export type { DecryptedDisplay, ReceivedPush } from './record';
export { hexTokenFor, scenarioOf } from './scenarios';
export type { Scenario } from './scenarios';
export {
  APNS_ENVIRONMENT_OIDS,
  createCa,
  createEs256Key,
  createServiceAccount,
  issueApnsClientCert,
  issueServerCert,
} from './ca';
export type { ApnsEnvironment, CertificateAuthority, Es256Key, IssuedCertificate, ServiceAccount } from './ca';
export { DEMO, DEMO_FILES, createMsc3013DemoKey, loadDemoMaterial, writeDemoMaterial } from './demo-material';
export type { DemoMaterial, Msc3013DemoKey } from './demo-material';
