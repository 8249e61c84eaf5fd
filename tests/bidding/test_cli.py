"""The bidder's and the key holder's command-line tools (bidding/cli.py), file by file, against the
platform's real answers."""

import json

from click.testing import CliRunner

from bidding.cli import main
from bidding.sealing import keys
from tests.bidding.helpers import open_section
from tests.bidding.kit import pass_deadline, ready_section


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


async def test_a_bidder_seals_and_checks_receipts_with_the_command_line_tool(
    client, people, settings, clock, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    work = tmp_path / "bidder-a"
    env = {"BID_KEY_PASSPHRASE": "华建-投标-口令-2026"}
    uscc = kit.bidders["bidder_a"].uscc
    made = run(
        "bid",
        "keygen",
        "--out",
        str(work / "keys"),
        "--uscc",
        uscc,
        "--name",
        "江苏华建建设集团有限公司",
        "--passphrase-env",
        "BID_KEY_PASSPHRASE",
        env=env,
    )
    assert made.exit_code == 0, made.output
    assert (work / "keys" / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert b"ENCRYPTED" in (work / "keys" / "signing-key.pem").read_bytes()
    certificate = await client.post(
        "/api/bidding/certificates",
        json={"csr": (work / "keys" / "request.csr").read_text()},
        headers=people.headers("bidder_a"),
    )
    assert certificate.status_code == 201
    # Saved as the platform answers (JSON); the tool takes that as well as a bare PEM.
    (work / "cert.json").write_text(certificate.text)
    platform = await client.get("/api/bidding/platform/certificates")
    (work / "ca.json").write_text(platform.text)
    (work / "ca.pem").write_text(platform.json()["ca"])
    parameters = await client.get(
        f"/api/bidding/sections/{kit.section_id}/sealing-parameters", headers=people.headers("bidder_a")
    )
    (work / "params.json").write_text(parameters.text)
    (work / "投标文件.pdf").write_bytes(b"%PDF-1.4 technical and commercial bid " * 1000)

    seal_args = [
        "bid",
        "seal",
        "--parameters",
        str(work / "params.json"),
        "--ca",
        str(work / "ca.json"),
        "--certificate",
        str(work / "cert.json"),
        "--keys",
        str(work / "keys"),
        "--file",
        str(work / "投标文件.pdf"),
        "--price",
        "48123456.78",
        "--duration-days",
        "540",
        "--quality",
        "合格",
        "--extra",
        "安全文明施工费=960000.00",
        "--out",
        str(work / "bid.sealed"),
        "--passphrase-env",
        "BID_KEY_PASSPHRASE",
    ]
    sealed = run(*seal_args, env=env)
    assert sealed.exit_code == 0, sealed.output
    assert "sealing 投标文件.pdf" in sealed.stderr
    summary = json.loads(sealed.stdout)
    assert summary["section"] == kit.parameters.section_code

    checked = run(
        "bid",
        "check",
        "--package",
        str(work / "bid.sealed"),
        "--keys",
        str(work / "keys"),
        "--passphrase-env",
        "BID_KEY_PASSPHRASE",
        env=env,
    )
    assert checked.exit_code == 0, checked.output
    statement = json.loads(checked.output)
    assert statement["bid_data"]["price_fen"] == 4812345678
    assert statement["bid_data"]["extra"] == {"安全文明施工费": "960000.00"}

    answer = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids",
        content=(work / "bid.sealed").read_bytes(),
        headers={**people.headers("bidder_a"), "Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 201, answer.text
    (work / "receipt.json").write_text(answer.text)
    verified = run(
        "bid",
        "verify-receipt",
        str(work / "receipt.json"),
        "--ca",
        str(work / "ca.pem"),
        "--package",
        str(work / "bid.sealed"),
    )
    assert verified.exit_code == 0 and "receipt valid: No.1 submitted" in verified.output
    forged = json.loads(answer.text)
    forged["body"]["package"]["size"] += 1
    (work / "forged.json").write_text(json.dumps(forged))
    refused = run("bid", "verify-receipt", str(work / "forged.json"), "--ca", str(work / "ca.pem"))
    assert refused.exit_code == 1 and "INVALID" in refused.output

    key = run(
        "bid",
        "decrypt-key",
        "--package",
        str(work / "bid.sealed"),
        "--keys",
        str(work / "keys"),
        "--passphrase-env",
        "BID_KEY_PASSPHRASE",
        env=env,
    )
    assert key.exit_code == 0 and len(keys.unb64(json.loads(key.output)["content_key"])) == 32


async def test_altered_sealing_parameters_are_refused_by_the_tool(client, people, settings, clock, tmp_path):
    kit = await ready_section(client, people, settings, clock, tmp_path, bidders=("bidder_a",))
    parameters = (
        await client.get(
            f"/api/bidding/sections/{kit.section_id}/sealing-parameters", headers=people.headers("bidder_a")
        )
    ).json()
    parameters["body"]["threshold"] = 3
    (tmp_path / "params.json").write_text(json.dumps(parameters))
    (tmp_path / "ca.pem").write_text((await client.get("/api/bidding/platform/certificates")).json()["ca"])
    (tmp_path / "cert.pem").write_text(kit.bidders["bidder_a"].certificate_pem)
    (tmp_path / "bid.pdf").write_bytes(b"bid")
    keys.write_private_key(tmp_path / "keys" / "signing-key.pem", kit.bidders["bidder_a"].signing_key)
    keys.write_private_key(tmp_path / "keys" / "decryption-key.pem", kit.bidders["bidder_a"].decryption_key)
    result = CliRunner().invoke(
        main,
        [
            "bid",
            "seal",
            "--parameters",
            str(tmp_path / "params.json"),
            "--ca",
            str(tmp_path / "ca.pem"),
            "--certificate",
            str(tmp_path / "cert.pem"),
            "--keys",
            str(tmp_path / "keys"),
            "--file",
            str(tmp_path / "bid.pdf"),
            "--price",
            "1.00",
            "--out",
            str(tmp_path / "bid.sealed"),
        ],
    )
    assert result.exit_code == 1 and "do not verify" in result.output
    assert not (tmp_path / "bid.sealed").exists()


async def test_a_key_holder_makes_its_key_and_releases_its_shares_with_the_tool(
    client, people, settings, clock, tmp_path
):
    fresh = await open_section(client, people)
    holder_key = tmp_path / "clerk-holder.pem"
    made = run("keyholder", "keygen", "--out", str(holder_key))
    assert made.exit_code == 0
    await client.put(
        f"/api/bidding/sections/{fresh}/keyholders",
        json={
            "threshold": 2,
            "holders": [str(people.user("clerk").id), str(people.user("zj_supervisor").id)],
        },
        headers=people.headers("clerk"),
    )
    registered = await client.put(
        f"/api/bidding/sections/{fresh}/keyholders/me/key",
        json={"public_key": json.loads(made.output)["public_key"]},
        headers=people.headers("clerk"),
    )
    assert registered.status_code == 200, registered.text

    kit = await ready_section(client, people, settings, clock, tmp_path)
    for username, price in (("bidder_a", "3.00"), ("bidder_b", "2.00"), ("bidder_c", "1.00")):
        from tests.bidding.kit import submit

        assert (await submit(client, people, kit, username, kit.seal(username, price))).status_code == 201
    await pass_deadline(clock, kit)
    assert (
        await client.post(
            # No body, as `curl -X POST` sends it: the defaults need none.
            f"/api/bidding/sections/{kit.section_id}/opening",
            headers=people.headers("clerk"),
        )
    ).status_code == 201
    for holder in ("clerk", "zj_supervisor"):
        key_file = tmp_path / f"{holder}.pem"
        keys.write_private_key(key_file, kit.holder_keys[holder])
        wraps = await client.get(
            f"/api/bidding/sections/{kit.section_id}/opening/shares", headers=people.headers(holder)
        )
        (tmp_path / f"{holder}-wraps.json").write_text(wraps.text)
        released = run(
            "keyholder",
            "release",
            "--wraps",
            str(tmp_path / f"{holder}-wraps.json"),
            "--key",
            str(key_file),
            "--out",
            str(tmp_path / f"{holder}-shares.json"),
        )
        assert released.exit_code == 0, released.output
        answer = await client.post(
            f"/api/bidding/sections/{kit.section_id}/opening/shares",
            json=json.loads((tmp_path / f"{holder}-shares.json").read_text()),
            headers=people.headers(holder),
        )
        assert answer.status_code == 200 and answer.json()["accepted"] == 3
    opening = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening/unseal", headers=people.headers("clerk")
    )
    assert sorted(e["price"] for e in opening.json()["entries"]) == ["1.00", "2.00", "3.00"]


def test_the_tool_makes_its_installation_id_once_and_keeps_it(tmp_path):
    from bidding.cli import installation_id

    path = tmp_path / "config" / "installation-id"
    made = installation_id(path)
    assert len(made) == 32 and path.read_text().strip() == made
    assert installation_id(path) == made  # every later submission sends the same id
    path.write_text("not an id!\n")  # edited by hand into something the platform would ignore
    remade = installation_id(path)
    assert remade != made and installation_id(path) == remade


def test_a_ca_file_that_is_neither_pem_nor_the_platforms_answer_is_a_usage_error(tmp_path):
    for name, content in (("ca.json", '{"signer": "x"}'), ("ca.pem", "not a certificate")):
        (tmp_path / name).write_text(content)
        for other in ("params.json", "cert.pem", "bid.pdf"):
            (tmp_path / other).write_text("x")
        (tmp_path / "keys").mkdir(exist_ok=True)
        result = CliRunner().invoke(
            main,
            [
                "bid",
                "seal",
                "--parameters",
                str(tmp_path / "params.json"),
                "--ca",
                str(tmp_path / name),
                "--certificate",
                str(tmp_path / "cert.pem"),
                "--keys",
                str(tmp_path / "keys"),
                "--file",
                str(tmp_path / "bid.pdf"),
                "--price",
                "1.00",
                "--out",
                str(tmp_path / "bid.sealed"),
            ],
        )
        assert result.exit_code == 2, result.output
        assert "--ca" in result.stderr and "/api/bidding/platform/certificates" in result.stderr
        assert "Traceback" not in result.output
