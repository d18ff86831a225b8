"""Payment providers behind :class:`chalicelib.domain.payments.PaymentProvider`."""
