/** Where the payment provider sends the payer back (a route of its own, and the `return_url`). */
export const RETURN_PATH = '/billing/return';
