"""API authentication: exchange a username and password for a token (``Authorization: Token <key>``)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from concord.core.api import ERRORS


class TokenThrottle(AnonRateThrottle):
    """Slow down password guessing: a few attempts a minute per client address."""

    scope = "auth-token"
    rate = "20/min"


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = [TokenThrottle]

    @extend_schema(operation_id="auth_token_create", tags=["auth"], request=AuthTokenSerializer,
                   responses={200: TokenSerializer, 400: ERRORS[400]}, auth=[],
                   summary="Obtain an API token", description="POST username and password; the response's "
                   "token goes in the header `Authorization: Token <key>`.")
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


obtain_token = ObtainTokenView.as_view()
