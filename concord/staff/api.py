"""API authentication: exchange a username and password (and a one-time code where two-factor sign-in applies) for
a token (``Authorization: Token <token>``). Each exchange issues a new token, shown once and kept only as its digest;
it expires after ``CONCORD_API_TOKEN_DAYS`` days. Failed attempts count towards the same lockout as the web and
admin logins (per account and per address)."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from concord.core.api import ERRORS

from . import tokens, twofactor
from .security import client_ip


class TokenThrottle(AnonRateThrottle):
    """Slow down password guessing: a few attempts a minute per client address (``CONCORD_NUM_PROXIES`` decides
    what the address is; X-Forwarded-For is not believed otherwise)."""

    scope = "auth-token"
    rate = "20/min"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                help_text=_("两步验证的 6 位验证码或一个恢复码（需要两步验证的用户必填）"))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class LockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [TokenThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(operation_id="auth_token_create", tags=["auth"], request=TokenRequestSerializer,
                   responses={200: TokenSerializer, 400: ERRORS[400],
                              429: OpenApiResponse(LockedOutSerializer, description="Too many failed attempts for "
                                                   "this account or address: locked for a while.")},
                   auth=[], summary="Obtain an API token",
                   description="POST username and password (and `otp`, a one-time code, for users who sign in "
                   "with two factors); the response's token goes in the header `Authorization: Token <token>`. "
                   "Every call issues a new token, valid for 30 days unless configured otherwise.")
    def post(self, request, *args, **kwargs):
        params = TokenRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        django_request = request._request  # axes marks a lockout on the request it is given
        user = authenticate(request=django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": _("登录失败次数过多，账号或地址已暂时锁定，请稍后再试")},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response({"non_field_errors": [_("用户名或密码错误")]}, status=status.HTTP_400_BAD_REQUEST)
        if twofactor.required(user):
            if not twofactor.enrolled(user):
                return Response({"otp": [_("您的角色需要两步验证：请先在网页端“安全设置”中绑定身份验证器")]},
                                status=status.HTTP_400_BAD_REQUEST)
            if twofactor.check_code(user, data.get("otp", ""), channel="api") is None:
                return Response({"otp": [_("两步验证码错误或缺失")]}, status=status.HTTP_400_BAD_REQUEST)
        token, row = tokens.issue(user, channel="api", ip=client_ip(request))
        return Response({"token": token, "expires_at": row.expires_at})


obtain_token = ObtainTokenView.as_view()
