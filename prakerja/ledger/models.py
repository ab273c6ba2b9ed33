"""A small double-entry ledger (CRD-3): every movement of money is a transaction of postings that sum to zero.

Why not django-hordak: see docs/architecture.md, "Ledger". In short, its
accounts are an MPTT tree (one insert renumbers the tree, and a programme
opens a million card accounts), its balances are sums of legs rather than a
stored, constrained column, and a concurrent overspend is stopped only by
the caller's locks.

Amounts are integer rupiah. A positive posting adds to an account, a
negative one takes from it; the postings of a transaction sum to zero, so
the sum over all accounts is always zero. The treasury is the one account
expected to go below zero: it is where the programme's money comes from.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SHARDS = 16


class AccountKind(models.TextChoices):
    TREASURY = "treasury", _("Treasury (source of funds)")
    BUDGET = "budget", _("Programme budget")
    CARD = "card", _("Card training balance")
    SETTLEMENT = "settlement", _("Platform settlement")
    FORFEIT = "forfeit", _("Forfeited balances, back to the treasury")
    INCENTIVES = "incentives", _("Incentives payable")


class Account(models.Model):
    """One account. A card keeps its balance on this row; a shared account in shards.

    A card's balance is a column with a check constraint, so no bug and no
    race can take it below zero: a debit is a conditional UPDATE. Shared
    accounts (the budget, a platform's settlement, the treasury) take part in
    every credit or purchase of every card; one row would make all of them
    wait for each other, so their balance is spread over ``SHARDS`` rows
    (``BalanceShard``) and is the sum of those. Shared accounts may go below
    zero (the treasury always does: it is where the money comes from).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    # Shared accounts have a code ("budget", "settlement:tokopedia"); card accounts none. Unique among the
    # accounts that have one: a unique index over every card's NULL was a million entries written for nothing.
    code = models.CharField(_("code"), max_length=80, null=True, blank=True)
    balance = models.BigIntegerField(_("balance (Rp)"), default=0)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="card", code__isnull=True, balance__gte=0)
                | (~Q(kind="card") & Q(code__isnull=False, balance=0)),
                name="ledger_account_card_not_negative"),
            models.UniqueConstraint(fields=["code"], condition=Q(code__isnull=False),
                                    name="ledger_account_code_unique"),
        ]

    def __str__(self):
        return self.code or f"{self.kind}:{self.pk}"

    @property
    def is_card(self) -> bool:
        return self.kind == AccountKind.CARD


class BalanceShard(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="shards",
                                verbose_name=_("ledger account"))
    shard = models.PositiveSmallIntegerField(_("shard"))
    balance = models.BigIntegerField(_("balance (Rp)"), default=0)

    class Meta:
        verbose_name = _("balance shard")
        verbose_name_plural = _("balance shards")
        constraints = [models.UniqueConstraint(fields=["account", "shard"], name="ledger_shard_unique")]

    def __str__(self):
        return f"{self.account_id}/{self.shard}"


class TransactionKind(models.TextChoices):
    FUND = "fund", _("Budget funded")
    CREDIT = "credit", _("Training balance credited")
    DEBIT = "debit", _("Training bought")
    REFUND = "refund", _("Purchase refunded")
    FORFEIT = "forfeit", _("Balance forfeited")
    EXPIRE = "expire", _("Unused balance expired")


class Transaction(models.Model):
    """One movement. ``key`` makes it idempotent: the same key twice posts once.

    ``fingerprint`` is a hash of the kind and the postings; the same key with
    a different fingerprint (another amount, another card) is refused.
    """

    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"), help_text=_("The sum of the positive postings."))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # A refund names the purchase it gives back, so refunds never exceed it.
    refund_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds",
                                  verbose_name=_("refund of"))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transaction_amount_positive")]

    def __str__(self):
        return self.key


class Posting(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings",
                                    verbose_name=_("ledger transaction"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings",
                                verbose_name=_("ledger account"))
    amount = models.BigIntegerField(_("amount (Rp)"))

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_posting_not_zero")]

    def __str__(self):
        return f"{self.account_id} {self.amount:+d}"
