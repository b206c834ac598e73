from tests.azure_fixtures import azure, azure_server  # noqa: F401
