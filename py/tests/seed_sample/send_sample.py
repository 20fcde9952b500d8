# -*- coding: utf-8 -*-
# This file is auto-generated, don't edit it. Thanks.
import os
import sys

from typing import List

from smsauth.compat.client import Client as Dypnsapi20170525Client
from smsauth.compat import models as open_api_models           # Config
from smsauth.compat import models as dypnsapi_20170525_models  # request models
from smsauth.compat import models as util_models               # RuntimeOptions
from smsauth.compat.util import Client as UtilClient           # assert_as_string


def create_client(
    access_key_id: str,
    access_key_secret: str,
) -> Dypnsapi20170525Client:
    """
    使用AK&SK初始化账号Client
    @param access_key_id:
    @param access_key_secret:
    @return: Client
    @throws Exception
    """
    config = open_api_models.Config(
        # 必填,您的 AccessKey ID,
        access_key_id=access_key_id,
        # 必填,您的 AccessKey Secret,
        access_key_secret=access_key_secret
    )
    # 访问的域名,请参考 https://api.aliyun.com/product/Dypnsapi
    config.endpoint = f'dypnsapi.aliyuncs.com'
    return Dypnsapi20170525Client(config)


def main(
    args: List[str],
) -> None:
    # 请确保代码运行环境设置了环境变量 ALIBABA_CLOUD_ACCESS_KEY_ID 和 ALIBABA_CLOUD_ACCESS_KEY_SECRET。
    # 工程代码泄露可能会导致 AccessKey 泄露,并威胁账号下所有资源的安全性。以下代码示例使用环境变量获取 AccessKey 的方式进行调用,仅供参考。
    # 建议使用更安全的 STS 方式,更多鉴权访问方式请参见:https://help.aliyun.com/document_detail/378657.html。
    client = create_client(os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'])
    send_sms_verify_code_request = dypnsapi_20170525_models.SendSmsVerifyCodeRequest(
        phone_number='your_value',
        sign_name='your_value',
        template_code='your_value',
        scheme_name='your_value',
        template_param='your_value',
        country_code='your_value',
        sms_up_extend_code='your_value',
        out_id='your_value',
        interval=1,
        valid_time=1,
        return_verify_code=False,
        code_type=1,
        duplicate_check=False,
        early_warn=False
    )
    runtime = util_models.RuntimeOptions()
    try:
        # 复制代码运行请自行打印 API 的返回值
        client.send_sms_verify_code_with_options(send_sms_verify_code_request, runtime)
    except Exception as error:
        # 如有需要,请打印 error
        UtilClient.assert_as_string(error.message)


async def main_async(
    args: List[str],
) -> None:
    # 请确保代码运行环境设置了环境变量 ALIBABA_CLOUD_ACCESS_KEY_ID 和 ALIBABA_CLOUD_ACCESS_KEY_SECRET。
    client = create_client(os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'])
    send_sms_verify_code_request = dypnsapi_20170525_models.SendSmsVerifyCodeRequest(
        phone_number='your_value',
        sign_name='your_value',
        template_code='your_value',
        scheme_name='your_value',
        template_param='your_value',
        country_code='your_value',
        sms_up_extend_code='your_value',
        out_id='your_value',
        interval=1,
        valid_time=1,
        return_verify_code=False,
        code_type=1,
        duplicate_check=False,
        early_warn=False
    )
    runtime = util_models.RuntimeOptions()
    try:
        # 复制代码运行请自行打印 API 的返回值
        await client.send_sms_verify_code_with_options_async(send_sms_verify_code_request, runtime)
    except Exception as error:
        # 如有需要,请打印 error
        UtilClient.assert_as_string(error.message)


if __name__ == '__main__':
    main(sys.argv[1:])
