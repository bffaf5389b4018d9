"""Strict parsing of the mapping options and the deprecated 1.x option names."""

from __future__ import annotations

import pytest
from oslo_config import cfg

from networking_oneview import conf
from networking_oneview.conf import ConfigError, UplinkSetRef

LIG = "6f1d5c1e-0000-4000-8000-000000000001"


def test_uplinkset_mappings_tolerate_whitespace_and_keep_order():
    parsed = conf.parse_uplinkset_mappings(f" physnet1 : {LIG} : US-Tagged ,physnet1:{LIG}:US-B,")
    assert parsed == {"physnet1": [UplinkSetRef(LIG, "US-Tagged"), UplinkSetRef(LIG, "US-B")]}


def test_uplinkset_mappings_allow_a_name_with_spaces():
    parsed = conf.parse_uplinkset_mappings(f"physnet1:{LIG}:Uplink Set 1")
    assert parsed["physnet1"][0].name == "Uplink Set 1"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("physnet1:lig", "has 2 part(s)"),
        ("physnet1:lig:us:extra", "has 4 part(s)"),
        ("physnet1::us", "empty part"),
        (":lig:us", "empty part"),
    ],
)
def test_uplinkset_mappings_name_the_option_the_entry_and_the_expected_form(text, needle):
    with pytest.raises(ConfigError) as caught:
        conf.parse_uplinkset_mappings(text)
    message = str(caught.value)
    assert "uplinkset_mappings" in message and needle in message
    assert repr(text.strip()) in message
    assert "PHYSNET:LIG_UUID:UPLINK_SET_NAME" in message


def test_two_physnets_sharing_one_uplink_set_are_refused():
    with pytest.raises(ConfigError, match="mapped to two physnets"):
        conf.parse_uplinkset_mappings(f"physnet1:{LIG}:US,physnet2:{LIG}:US")


def test_flat_net_mappings_parse_pairs():
    assert conf.parse_flat_net_mappings("prov: abc ,other:def") == {"prov": "abc", "other": "def"}


@pytest.mark.parametrize("text", ["prov", "prov:a:b", "prov:", ":abc"])
def test_flat_net_mappings_refuse_wrong_arity_and_empty_parts(text):
    with pytest.raises(ConfigError, match=r"flat_net_mappings.*PHYSNET:ONEVIEW_NETWORK_UUID"):
        conf.parse_flat_net_mappings(text)


def test_flat_physnet_mapped_to_two_networks_is_refused():
    with pytest.raises(ConfigError, match="two OneView networks"):
        conf.parse_flat_net_mappings("prov:a,prov:b")


def test_unknown_physnet_is_refused_naming_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        conf.build_mappings(f"physnet9:{LIG}:US", "", ["prov"], ["physnet1"])
    assert "'physnet9' is not configured in Neutron" in str(caught.value)
    assert "['physnet1', 'prov']" in str(caught.value)


def test_flat_mapping_needs_a_flat_physnet():
    with pytest.raises(ConfigError, match="flat_net_mappings: physnet 'physnet1'"):
        conf.build_mappings("", "physnet1:abc", ["prov"], ["physnet1"])


def test_wildcard_flat_networks_allow_any_physnet():
    mappings = conf.build_mappings(f"anything:{LIG}:US", "other:abc", ["*"], [])
    assert mappings.physnets == {"anything", "other"}


def test_physnet_in_both_mapping_options_is_refused():
    with pytest.raises(ConfigError, match="in both uplinkset_mappings and flat_net_mappings"):
        conf.build_mappings(f"prov:{LIG}:US", "prov:abc", ["prov"], [])


def test_vlan_physnets_are_read_from_network_vlan_ranges():
    assert conf.vlan_physnets_from(["physnet1:1:100", "physnet2", " "]) == {"physnet1", "physnet2"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://ov.example:8443", "https://ov.example:8443"),
        ("10.0.0.5", "https://10.0.0.5"),
        (" ov.example ", "https://ov.example"),
    ],
)
def test_manager_url_accepts_a_bare_host_as_https(value, expected):
    assert conf.normalize_manager_url(value) == expected


@pytest.mark.parametrize("value", ["http://ov.example", "", None, "https://"])
def test_manager_url_must_be_https(value):
    with pytest.raises(ConfigError, match="manager_url"):
        conf.normalize_manager_url(value)


@pytest.fixture
def config(tmp_path):
    def load(text: str) -> cfg.ConfigOpts:
        path = tmp_path / "neutron.conf"
        path.write_text(text)
        opts = cfg.ConfigOpts()
        conf.register_opts(opts)
        opts(["--config-file", str(path)], project="neutron")
        return opts

    return load


def test_first_release_option_names_and_places_still_work(config):
    opts = config(
        "[DEFAULT]\n"
        f"uplinkset_mappings = physnet1:{LIG}:US\n"
        "flat_net_mappings = prov:abc\n"
        "sync_interval = 600\n"
        "retries_to_lock_sh = 3\n"
        "retries_to_lock_sh_interval = 5\n"
        "[oneview]\n"
        "oneview_host = 10.1.2.3\n"
        "username = admin\n"
        "password = s3cret\n"
    )
    group = opts.oneview
    assert group.manager_url == "10.1.2.3"
    assert conf.normalize_manager_url(group.manager_url) == "https://10.1.2.3"
    assert group.uplinkset_mappings == f"physnet1:{LIG}:US"
    assert group.flat_net_mappings == "prov:abc"
    assert group.sync_interval == 600
    assert group.server_lock_retries == 3
    assert group.server_lock_retry_interval == 5


def test_client_settings_carry_the_task_bound(config):
    base = "[oneview]\nmanager_url = ov.example.org\nusername = u\npassword = p\n"
    assert conf.client_settings(config(base).oneview).max_concurrent_tasks == 8
    opts = config(base + "max_concurrent_tasks = 3\n")
    assert conf.client_settings(opts.oneview).max_concurrent_tasks == 3
    with pytest.raises(cfg.ConfigFileValueError):
        config(base + "max_concurrent_tasks = 0\n").oneview.max_concurrent_tasks  # noqa: B018


def test_password_is_a_secret_option():
    password = next(o for o in conf.ONEVIEW_OPTS if o.name == "password")
    assert password.secret


def test_options_are_listed_for_the_sample_generator():
    [(group, options)] = conf.list_opts()
    assert group == "oneview"
    assert {"manager_url", "uplinkset_mappings", "flat_net_mappings"} <= {o.name for o in options}


def _checked(tmp_path, text: str) -> list[str]:
    path = tmp_path / "neutron.conf"
    path.write_text(text)
    opts = cfg.ConfigOpts()
    conf.register_opts(opts)
    opts(["--config-file", str(path)], project="neutron")
    return conf.check_options(opts.oneview, conf.config_files(opts))


def test_check_options_names_the_option_the_value_and_the_range(tmp_path):
    [problem] = _checked(tmp_path, "[oneview]\npolling_interval = nan\n")
    assert problem.startswith("[oneview] polling_interval = 'nan': not a finite number")
    assert "expected a number from 0.05 to 300.0" in problem


def test_a_1x_name_that_disagrees_with_its_new_name_is_refused(tmp_path):
    [problem] = _checked(
        tmp_path, "[DEFAULT]\nsync_interval = 60\n[oneview]\nsync_interval = 600\n"
    )
    assert "[DEFAULT] sync_interval = '60'" in problem and "delete the 1.x names" in problem


def test_a_1x_name_that_agrees_with_its_new_name_is_accepted(tmp_path):
    text = "[DEFAULT]\noneview_host = ov.example\n[oneview]\nmanager_url = https://ov.example/\n"
    assert _checked(tmp_path, text) == []


def test_ids_in_mappings_must_be_uuids():
    conf.check_ids(conf.build_mappings(f"physnet1:{LIG}:US", f"prov:{LIG}", ["prov"], ["physnet1"]))
    with pytest.raises(ConfigError, match="is not a logical interconnect group id"):
        conf.check_ids(conf.build_mappings("physnet1:../x:US", "", [], ["physnet1"]))
    with pytest.raises(ConfigError, match="is not a OneView network id"):
        conf.check_ids(conf.build_mappings("", "prov:abc", ["prov"], []))


def test_credentials_in_the_manager_url_are_refused_without_echoing_them():
    with pytest.raises(ConfigError) as caught:
        conf.normalize_manager_url("https://admin:hunter2@ov.example")
    assert "hunter2" not in str(caught.value) and "username and password" in str(caught.value)
