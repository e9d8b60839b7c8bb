from accounts.models import User
from core.outbox import services as outbox


def send_welcome(*, user: User) -> None:
    """Welcome a newly verified person, once, however often they verify an address."""
    outbox.enqueue(
        "welcome",
        to=[user.email],
        context={"user": user},
        key=f"welcome:{user.pk}",
    )
