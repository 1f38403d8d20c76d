from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

# The stock device admin shows TOTP secrets. Second factors are issued only with
# ``manage.py staff_totp``, which prints the secret once to the operator.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
