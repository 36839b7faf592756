import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One entry of the shared MSC3013 vectors (generated with libolm, cross-checked independently). */
export interface Vector {
  name: string;
  recipient_private_key: string;
  recipient_public_key: string;
  ephemeral_private_key: string | null;
  plaintext: string;
  ephemeral: string;
  ciphertext: string;
  mac_spec: string;
  mac_libolm: string;
}

export function loadVectors(): Vector[] {
  const file = resolve(__dirname, '../../../shared/msc3013/vectors.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
}
