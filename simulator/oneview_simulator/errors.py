"""OneView-shaped errors: what the appliance answers when a request or a task fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApplianceError(Exception):
    """An error the appliance reports, as an HTTP status plus OneView's error body."""

    status: int
    error_code: str
    message: str
    details: str = ""
    recommended_actions: list[str] = field(default_factory=list)
    nested_errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.error_code}: {self.message}"

    def body(self) -> dict[str, Any]:
        return {
            "errorCode": self.error_code,
            "message": self.message,
            "details": self.details,
            "recommendedActions": list(self.recommended_actions),
            "nestedErrors": list(self.nested_errors),
            "errorSource": None,
            "data": {},
        }

    def task_error(self) -> dict[str, Any]:
        """The same error as an entry of a task's ``taskErrors``."""
        return {
            "errorCode": self.error_code,
            "message": self.message,
            "details": self.details,
            "recommendedActions": list(self.recommended_actions),
            "nestedErrors": list(self.nested_errors),
            "data": {},
            "errorSource": None,
        }


def bad_request(code: str, message: str, action: str = "") -> ApplianceError:
    return ApplianceError(400, code, message, recommended_actions=[action] if action else [])


def not_found(uri: str) -> ApplianceError:
    return ApplianceError(
        404,
        "RESOURCE_NOT_FOUND",
        f"The resource {uri} was not found.",
        recommended_actions=["Verify the URI of the resource and try again."],
    )


def conflict(code: str, message: str, action: str = "") -> ApplianceError:
    return ApplianceError(409, code, message, recommended_actions=[action] if action else [])
