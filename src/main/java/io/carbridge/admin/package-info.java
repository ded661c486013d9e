/**
 * What every call of the admin API ({@code routes/admin-api.camel.yaml}) shares: the bearer token
 * ({@code ADMIN_TOKEN}), the request's parameters, the JSON answers and the answers to failures. The calls themselves
 * are methods of the admin beans of the packages that own the data. Owns no table.
 */
package io.carbridge.admin;
