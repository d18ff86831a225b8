"""Photographer sign-in through the Cognito user pool (the only code that talks to Cognito)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client as aws_client
from chalicelib.errors import Unauthorized

_SIGN_IN_REFUSED = {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"}


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None
    expires_in: int


class CognitoIdentity:
    def __init__(self, *, client_id: str, client: Any = None) -> None:
        self._client_id = client_id
        self._client = client

    @property
    def _cognito(self) -> Any:
        if self._client is None:
            self._client = aws_client("cognito-idp")
        return self._client

    def sign_in(self, email: str, password: str) -> Tokens:
        return self._authenticate("USER_PASSWORD_AUTH", {"USERNAME": email, "PASSWORD": password})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._authenticate("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})

    def _authenticate(self, flow: str, parameters: dict[str, str]) -> Tokens:
        try:
            answer = self._cognito.initiate_auth(
                ClientId=self._client_id, AuthFlow=flow, AuthParameters=parameters
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _SIGN_IN_REFUSED:
                raise Unauthorized("wrong email or password") from exc
            raise
        result = answer.get("AuthenticationResult")
        if not result:
            raise Unauthorized(f"sign-in needs a further step: {answer.get('ChallengeName')}")
        return Tokens(result["IdToken"], result.get("RefreshToken"), int(result["ExpiresIn"]))


def create_photographer(
    *, user_pool_id: str, email: str, password: str, studio_id: str, client: Any = None
) -> None:
    """Create a confirmed photographer account of a studio (seeding and admin tooling)."""
    cognito = client or aws_client("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:studio_id", "Value": studio_id},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=user_pool_id, Username=email, Password=password, Permanent=True
    )
