/**
 * The Smartcar webhook intake, the Java steps of {@code routes/webhook-intake.camel.yaml}: the request checks, the
 * {@code SC-Signature} on the raw bytes, VERIFY, strict JSON, the envelopes normalised into the canonical event, the
 * replay window, and the answers to Smartcar (with its metrics and the JSON error pages of the HTTP servers). The event
 * itself is stored by the {@code outbox} component. Owns no table.
 */
package io.carbridge.intake;
